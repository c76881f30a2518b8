"""The record: an RFC 9162 transparency log of the consultation, receipts, verification and
the Akoma Ntoso export of rounds (see docs/record.md)."""
