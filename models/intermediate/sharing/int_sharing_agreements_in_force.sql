-- One row per region and audience whose sharing agreement is in force on the build's
-- as-of date (dbt var `as_of_date`, default today): signed, started, not yet expired (a
-- blank `in_force_to` runs until revoked), not terminated (SHARING.md rule 1) and, for an
-- audience that needs a board's authorisation (London MoU App. B), authorised by then.
-- Where two agreements overlap (an extension signed before the original ends) the one
-- that started last is used. The item set is the agreement's own, else the audience's
-- default (rule 2). `is_ending_soon` flags an agreement that ends within
-- `agreement_warning_days` (default 90) of the as-of date: the build warns about it.
with agreements as (
    select * from {{ ref('sharing_agreements') }}
),

audiences as (
    select * from {{ ref('sharing_audiences') }}
),

in_force as (
    select
        agreements.*,
        audiences.organisation,
        audiences.needs_authorisation,
        coalesce(agreements.item_set, audiences.default_item_set) as agreed_item_set,
        row_number() over (
            partition by agreements.region_code, agreements.audience
            order by agreements.in_force_from desc, agreements.agreement_id asc
        ) as preference
    from agreements
    inner join audiences on agreements.audience = audiences.audience
    where
        agreements.signed_on <= {{ as_of_date() }}
        and agreements.in_force_from <= {{ as_of_date() }}
        and (agreements.in_force_to is null or {{ as_of_date() }} <= agreements.in_force_to)
        and (agreements.terminated_on is null or {{ as_of_date() }} < agreements.terminated_on)
        and (
            not audiences.needs_authorisation
            or (agreements.authorised_on is not null and agreements.authorised_on <= {{ as_of_date() }})
        )
),

final as (
    select
        region_code,
        audience,
        organisation,
        agreement_id,
        grain,
        agreed_item_set as item_set,
        signed_on,
        in_force_from,
        in_force_to,
        clause,
        authorised_by,
        authorised_on,
        reports,
        {{ as_of_date() }} as as_of_date,
        cast(in_force_to - {{ as_of_date() }} as integer) as days_to_end,
        coalesce(in_force_to - {{ as_of_date() }} <= {{ var('agreement_warning_days', 90) }}, false) as is_ending_soon
    from in_force
    where preference = 1
)

select * from final
