"""``field__in_ids=[…]``: ``__in`` for the long lists of ids a dashboard holds.

A manager's line of 500 people means lists of hundreds of ids in several
queries. As ``IN (%s, %s, …)`` every id is a parameter that Django prepares
and the driver adapts one by one, and PostgreSQL guesses how many rows a
subquery in its place would give (badly enough to scan whole tables). On
PostgreSQL the list goes as one array parameter, ``= ANY(%s)``, whose length
the planner knows; elsewhere it is the usual ``IN``.
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        ids = [int(value) for value in self.rhs]
        if connection.vendor != "postgresql":
            return In(self.lhs, ids).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]


# Foreign keys take only their own lookups, not those of every field.
Field.register_lookup(InIds)
ForeignObject.register_lookup(InIds)
