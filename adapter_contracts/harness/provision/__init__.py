"""Provisioning helpers shared by the engine backends."""
