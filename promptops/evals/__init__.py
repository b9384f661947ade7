"""promptops.evals"""
