"""promptops.diff"""
