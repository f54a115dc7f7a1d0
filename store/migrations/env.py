"""Alembic environment: migrations run on the connection store.migrate hands over, inside its transaction."""
from alembic import context

from store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run the store's migrations with `python -m store migrate` (store.migrate.upgrade).")

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
