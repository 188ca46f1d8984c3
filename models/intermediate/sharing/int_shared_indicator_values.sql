-- One row per audience, LA, quarter, indicator and measure that the audience may see
-- on the as-of date. Everything that leaves the pipeline goes through here:
--   * accepted returns only (fct_indicator_values holds nothing else);
--   * the LA's region has an agreement in force with the audience, and the LA no
--     exception (int_sharing_la_audiences, rules 1-2);
--   * `regional` items reach the `regional` audience only, whatever an agreement says
--     (rule 4); other audiences take `riia_core` items only;
--   * before release a quarter reaches its own region only, marked provisional (rule 3).
with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
),

la_audiences as (
    select * from {{ ref('int_sharing_la_audiences') }}
),

releases as (
    select * from {{ ref('int_quarter_release_status') }}
),

final as (
    select
        la_audiences.audience,
        la_audiences.agreement_id,
        indicator_values.region_code,
        la_audiences.region_name,
        indicator_values.la_code,
        la_audiences.la_name,
        indicator_values.period,
        not releases.is_released as is_provisional,
        releases.released_on,
        indicator_values.indicator_code,
        indicator_values.indicator_name,
        indicator_values.item_set,
        indicator_values.measure,
        indicator_values.value,
        indicator_values.value_status,
        indicator_values.numerator,
        indicator_values.denominator,
        indicator_values.population,
        indicator_values.warning_rule_ids
    from indicator_values
    inner join la_audiences on indicator_values.la_code = la_audiences.la_code
    inner join releases
        on
            indicator_values.region_code = releases.region_code
            and indicator_values.period = releases.period
    where
        (
            la_audiences.audience = 'regional'
            and la_audiences.agreed_item_set = 'all'
        )
        or (
            la_audiences.audience <> 'regional'
            and indicator_values.item_set = 'riia_core'
            and releases.is_released
        )
        or (
            la_audiences.audience = 'regional'
            and la_audiences.agreed_item_set = 'riia_core'
            and indicator_values.item_set = 'riia_core'
        )
)

select * from final
