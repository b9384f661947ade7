"""promptops.compile"""
