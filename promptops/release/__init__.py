"""promptops.release"""
