-- One row per recipient and sharing agreement in force that it receives data under, as
-- written into its manifest: the agreement, its region, item set, term, clause and
-- authorisation, and whether it ends within `agreement_warning_days` of the as-of date.
with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
),

agreements as (
    select * from {{ ref('int_sharing_agreements_in_force') }}
),

final as (
    select
        recipients.recipient_id,
        agreements.agreement_id,
        agreements.region_code,
        agreements.item_set,
        agreements.signed_on,
        agreements.in_force_from,
        agreements.in_force_to,
        agreements.clause,
        agreements.authorised_by,
        agreements.authorised_on,
        agreements.reports,
        agreements.as_of_date,
        agreements.days_to_end,
        agreements.is_ending_soon
    from recipients
    inner join agreements
        on
            recipients.audience = agreements.audience
            and (recipients.region_code is null or recipients.region_code = agreements.region_code)
)

select * from final
