{#- The data spans each graphlet reads: the `span` of its upstream Examples that
    ingestion produced (a transformed Examples artifact is not a new span). -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
    where member_role = 'upstream' and node_kind = 'artifact'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
    where artifact_type = 'Examples' and producer_category = 'ingestion'
),

span_properties as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where property_name = 'span' and value_type = 'int'
),

final as (
    select distinct
        members.graphlet_id,
        span_properties.int_value as span
    from members
    inner join artifacts on members.mlmd_id = artifacts.artifact_id
    inner join span_properties on members.mlmd_id = span_properties.artifact_id
)

select * from final
