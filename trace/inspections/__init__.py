"""Inspection results from accredited testing agencies (DESIGN §7).

- ``report``: the signed report format, canonical bytes, signing and checking
  (pure, no database);
- ``results``: reading a result as printed ("<0.01", "未检出", "3-4", "强 B");
- ``glossary``: what a tested item is, in a buyer's words (联苯菊酯（农药残留）, bifenthrin);
- ``store``: commissions and assignments, storing signed reports and their PDFs,
  corrections that supersede, and what a page shows.
"""
