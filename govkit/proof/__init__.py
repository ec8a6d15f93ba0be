"""Proofs that hold up outside govkit: who seals (the sealing identity), trusted time (RFC 3161
time-stamping), detached CMS signatures, and the sealed PDF receipts built on them.

``identity`` loads govkit's sealing key and certificate from the settings (a PKCS#12 file or a PEM
pair; in dev the local demo PKI of ``demo_pki``); ``trusted_time`` asks a time-stamping authority for
tokens and checks them; ``detached`` checks detached CMS signatures made by ``SealingIdentity``.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's deprecated DSA module: without this, every process would say so
warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)
