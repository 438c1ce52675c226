"""Streamers: the 选品 check of a sample, the selection records a room keeps (its
选品审核台账), and, to come, the on-camera page.

- ``selection``: the checklist for a sample's code and the stored decisions.
"""
