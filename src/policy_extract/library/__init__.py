"""The policy library: many payers' policies indexed and compared like for like."""
