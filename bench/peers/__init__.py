"""Peer comparison benchmarks: the programs each peer runs in a fresh process."""
