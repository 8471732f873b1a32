"""Provisioning shared by every engine: owner records and sweeps, the watchdog, containers, local servers."""
