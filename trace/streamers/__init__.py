"""Streamers: the 选品 check of a sample, the selection records a room keeps (its
选品审核台账), and the on-camera pages.

- ``selection``: the checklist for a sample's code and the stored decisions.
- ``ledger``: the 台账 as CSV and PDF.
- ``live``: each selected batch's on-camera page, and what it shows now.
- ``screens``: a room's one on-camera address, showing the batch it puts on air.
"""
