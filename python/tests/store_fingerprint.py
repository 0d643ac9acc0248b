"""Structural fingerprint of an MLMD store, computed with SQL over its raw layer.

Each part is a set of rows that describes *how* a store records runs, not what ran:
context names, which execution types carry which properties in which states, event types
and path shapes, how resolvers look, how artifacts are attributed to contexts. Two stores
written the same way have the same parts, whatever pipelines they record. Execution
types are named by class (the last part of the dotted path).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from graphlets.mlmd_schema import TABLES

_VIEWS = """
create view executions as
    select x.id, split_part(t.name, '.', -1) as cls, x.last_known_state as state
    from Execution x join Type t on t.id = x.type_id;
create view contexts as
    select c.id, t.name as context_type, c.name from Context c join Type t on t.id = c.type_id;
create view paths as
    select event_id,
        string_agg(case when is_index_step = 1 then '*' else step_key end, '/'
                   order by file_row_number) as key_path,
        string_agg(case when is_index_step = 1 then 'index' else 'key' end, '/'
                   order by file_row_number) as shape
    from EventPath group by event_id;
create view events as
    select e.id, e.execution_id, e.artifact_id, e.type, p.key_path, p.shape
    from Event e left join paths p on p.event_id = e.id;
"""

PARTS: dict[str, str] = {
    # Context types and the shape of their names.
    "context_names": """
        with pipelines as (select name from contexts where context_type = 'pipeline')
        select distinct context_type,
            case
                when regexp_full_match(name, '[0-9a-f]{64}') then 'sha256 hex'
                when regexp_full_match(name, '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}')
                    then 'run start, microseconds'
                when name in (select name from pipelines) then 'pipeline name'
                when exists (select 1 from pipelines p
                             where starts_with(contexts.name, p.name || '.'))
                    then '<pipeline>.<node>'
                else 'other'
            end as name_shape
        from contexts
    """,
    "context_parents": """
        select distinct child.context_type, parent.context_type
        from ParentContext pc
        join contexts child on child.id = pc.context_id
        join contexts parent on parent.id = pc.parent_context_id
    """,
    # Node ids (the part of a node context's name after `<pipeline>.`) per execution type.
    "node_ids": """
        select distinct x.cls, split_part(c.name, '.', -1) as node_id
        from executions x
        join Association a on a.execution_id = x.id
        join contexts c on c.id = a.context_id and c.context_type = 'node'
    """,
    # Which context types an execution of a type and state is associated with.
    "associations": """
        select distinct cls, state, coalesce(context_types, '(none)') from (
            select x.cls, x.state, string_agg(distinct c.context_type, ',' order by c.context_type)
                as context_types
            from executions x
            left join Association a on a.execution_id = x.id
            left join contexts c on c.id = a.context_id
            group by x.id, x.cls, x.state
        )
    """,
    # Properties per execution type and state: name, typed or custom, value column.
    "execution_properties": """
        select distinct x.cls, x.state, coalesce(p.name, '(none)'), p.is_custom_property,
            case when p.int_value is not null then 'int'
                 when p.double_value is not null then 'double'
                 when p.string_value is not null then 'string' end as value_kind
        from executions x left join ExecutionProperty p on p.execution_id = x.id
    """,
    # Event types and path shapes ([key, index] steps) per execution type and state.
    "event_shapes": """
        select distinct x.cls, x.state, coalesce(e.type, 0), coalesce(e.shape, '(no events)')
        from executions x left join events e on e.execution_id = x.id
    """,
    # The keys of those paths (index steps as *): what fills which input or output.
    "event_keys": """
        select distinct x.cls, e.type, e.key_path
        from executions x join events e on e.execution_id = x.id
    """,
    # What one execution_cache context holds: a recomputation with caching off joins it
    # (two COMPLETE), cache hits join it, a failed attempt opens its own.
    "cache_contexts": """
        select distinct
            count(*) filter (where x.state = 3) > 1 as has_recomputation,
            count(*) filter (where x.state = 5) > 0 as has_cache_hits,
            count(*) filter (where x.state = 4) > 0 as has_failure
        from contexts c
        join Association a on a.context_id = c.id
        join executions x on x.id = a.execution_id
        where c.context_type = 'execution_cache'
        group by c.id
    """,
    # Properties per artifact type: name, typed or custom, value kind.
    "artifact_properties": """
        select distinct t.name, p.name, p.is_custom_property,
            case when starts_with(p.string_value, 'mlmd-struct::') then 'struct'
                 when p.int_value is not null then 'int'
                 when p.double_value is not null then 'double'
                 when p.string_value is not null then 'string' end as value_kind
        from ArtifactProperty p
        join Artifact a on a.id = p.artifact_id
        join Type t on t.id = a.type_id
    """,
    # `span` and `blessed` on the data artifacts: typed or custom, value kind, and the
    # value where TFX writes a constant (a typed span of 0 on statistics and anomalies).
    "data_artifact_properties": """
        select distinct t.name, p.name, p.is_custom_property,
            case when starts_with(p.string_value, 'mlmd-struct::') then 'struct'
                 when p.int_value is not null then 'int' else 'other' end as value_kind,
            case when t.name <> 'Examples' then p.int_value end as constant_value
        from ArtifactProperty p
        join Artifact a on a.id = p.artifact_id
        join Type t on t.id = a.type_id
        where t.name in ('Examples', 'ExampleStatistics', 'ExampleAnomalies')
            and p.name in ('span', 'blessed')
    """,
    # Resolvers: states, whether they have inputs or properties, what they emit.
    "resolvers": """
        select distinct x.state,
            exists (select 1 from Event e where e.execution_id = x.id and e.type in (2, 3, 5))
                as has_inputs,
            exists (select 1 from ExecutionProperty p where p.execution_id = x.id)
                as has_properties,
            coalesce((select string_agg(distinct e.type::varchar, ',') from Event e
                      where e.execution_id = x.id), '(no events)') as event_types
        from executions x where x.cls = 'Resolver'
    """,
    # Per artifact and context type: is it attributed to the contexts of every execution
    # with an event to it, or only to its producer's (a COMPLETE execution's output)?
    # Context types its producer has no context of are left out.
    "attribution": """
        with users as (
            select distinct e.artifact_id, a.context_id, c.context_type,
                e.type = 4 and x.state = 3 as by_producer
            from events e
            join executions x on x.id = e.execution_id
            join Association a on a.execution_id = e.execution_id
            join contexts c on c.id = a.context_id
        ),
        attributed as (
            select b.artifact_id, b.context_id, c.context_type
            from Attribution b join contexts c on c.id = b.context_id
        ),
        per_type as (
            select u.artifact_id, u.context_type,
                list(distinct u.context_id order by u.context_id) as all_users,
                list(distinct u.context_id order by u.context_id) filter (where u.by_producer)
                    as producers
            from users u group by all
        ),
        got as (
            select artifact_id, context_type, list(context_id order by context_id) as contexts
            from attributed group by all
        )
        select distinct p.context_type,
            coalesce(g.contexts = p.all_users, false) as to_every_user,
            coalesce(g.contexts = p.producers, false) as to_producer
        from per_type p
        left join got g on g.artifact_id = p.artifact_id and g.context_type = p.context_type
        where p.producers is not null
    """,
}


def raw_connection(raw_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per raw MLMD table (EventPath in file order)."""
    con = duckdb.connect()
    for table in TABLES:
        extra = ", file_row_number = true" if table == "EventPath" else ""
        con.execute(
            f"create view {table} as select * from read_parquet('{raw_dir / table}.parquet'{extra})"
        )
    con.execute(_VIEWS)
    return con


def fingerprint(raw_dir: Path) -> dict[str, set[tuple]]:
    with raw_connection(raw_dir) as con:
        return {name: set(con.execute(sql).fetchall()) for name, sql in PARTS.items()}
