"""Personal data (GDPR art. 5, 13–17, 25, 30): the register of processing generated from the code,
minimal exposure by role, retention and erasure that keep the evidence verifiable, legal holds, and
each person's own data at hand."""
