"""Model pins over time: migrating a pin to a new model, and lifecycle feeds."""

from promptops.models.migrate import Migration, migrate_pin

__all__ = ["Migration", "migrate_pin"]
