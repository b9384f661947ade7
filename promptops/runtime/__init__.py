"""The thin runtime loader used inside applications (filled in by the runtime work)."""
