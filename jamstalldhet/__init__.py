"""jamstalldhet: gender-disaggregated follow-up of labour-market programmes."""
