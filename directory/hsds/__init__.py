"""Open Referral HSDS 3.0: the /hsds API, the mapping of our records onto HSDS objects, and
bulk exchange (HSDS tabular data packages, FindTreatment.gov exports)."""
