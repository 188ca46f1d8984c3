-- One row per region and audience whose sharing agreement is in force on the build's
-- as-of date (dbt var `as_of_date`, default today): signed, started, not yet expired
-- (a blank `in_force_to` runs until revoked) and not terminated (SHARING.md rule 1).
-- Where two agreements overlap (e.g. an extension signed before the original ends)
-- the one that started last is used.
with agreements as (
    select * from {{ ref('sharing_agreements') }}
),

in_force as (
    select
        *,
        row_number() over (
            partition by region_code, audience order by in_force_from desc, agreement_id asc
        ) as preference
    from agreements
    where
        signed_on <= {{ as_of_date() }}
        and in_force_from <= {{ as_of_date() }}
        and (in_force_to is null or {{ as_of_date() }} <= in_force_to)
        and (terminated_on is null or {{ as_of_date() }} < terminated_on)
),

final as (
    select
        region_code,
        audience,
        agreement_id,
        grain,
        item_set,
        signed_on,
        in_force_from,
        in_force_to,
        clause,
        {{ as_of_date() }} as as_of_date
    from in_force
    where preference = 1
)

select * from final
