"""The reference computation's SQL (riia.bench.reference): temp tables over the seeds
(s_indicators, s_items, s_las, s_population, s_neighbours), the files in use (in_use), the
other recipients' gate (gate: empty unless every view is computed) and the files it names
that are not in use (view_files), and the lines of both (lines).

COMPUTE_SQL ends in `ref_view_values` (one row per view, LA, quarter, indicator and
measure, as intermediate.int_view_indicator_values) and `ref_view_comparators` (as
intermediate.int_view_comparators), the hub's view first, and the hub's own `ref_values`
(as marts.fct_indicator_values) and `ref_comparators` (as marts.fct_indicator_comparators).
RANKS_SQL, run after it when every view is computed, ends in `ref_view_ranks` (as the ranks
and changes of intermediate.int_view_benchmarks).

Statements are separated by a semicolon at the end of a line; `$min_members` is replaced by
the `comparator_min_members` setting.
"""

COMPUTE_SQL = """
create temp table indicators as
select indicator_code, measure, cast(window_quarters as integer) as window_quarters, base_measure,
    numerator_item, nullif(denominator_items, '') as denominator_items,
    nullif(population_age_band, '') as age_band, cast(multiplier as double) as multiplier
from s_indicators;

create temp table items as
select item_code, value_type, nullif(collecting_region_code, '') as region_code,
    first_period, nullif(last_period, '') as last_period
from s_items;

-- 2024-25 Q3 -> 2024 * 4 + 2: consecutive quarters are consecutive numbers
create temp macro quarter_number(p) as cast(left(p, 4) as integer) * 4 + cast(right(p, 1) as integer) - 1;

-- the files in use and, when every view is computed, the older versions a view still sees
create temp table files as
select u.la_code, u.period, u.file_path, quarter_number(u.period) as q, las.region_code
from (select la_code, period, file_path from in_use union select la_code, period, file_path from view_files) as u
inner join s_las as las on u.la_code = las.la_code;

-- one number per file and item, classified as the template says
create temp table item_values as
select file_path, upper(trim(lines.item_code)) as item_code,
    case
        when trim(value) = '' or value is null then 'blank'
        when lower(trim(value)) = 'x' then 'not_available'
        when items.value_type = 'fte' and regexp_full_match(trim(value), '[0-9]{1,13}(\\.[0-9]{1,2})?') then 'number'
        when regexp_full_match(trim(value), '[0-9]{1,15}') then 'number'
        else 'invalid'
    end as status,
    case when regexp_full_match(trim(value), '[0-9]{1,15}(\\.[0-9]{1,2})?') then cast(trim(value) as double) end
        as number
from lines left join items on upper(trim(lines.item_code)) = items.item_code;

-- the LAs of each quarter (every one, whether or not its return is in use)
create temp table las_of_period as
select p.period, las.la_code, las.region_code
from (select distinct period from files) as p inner join s_las as las
    on p.period >= las.first_period and (nullif(las.last_period, '') is null or p.period <= las.last_period);

-- the population of each LA, quarter and age band: the quarter's financial-year mid-year,
-- else the nearest earlier year, else the nearest later one
create temp table populations as
with wanted as (
    select l.la_code, l.period, cast(left(l.period, 4) as integer) as mid_year, p.age_band
    from las_of_period as l cross join (select distinct age_band from s_population) as p
),
picked as (
    select w.la_code, w.period, w.age_band,
        coalesce(max(cast(p.mid_year as integer)) filter (where cast(p.mid_year as integer) <= w.mid_year),
                 min(cast(p.mid_year as integer))) as year
    from wanted as w
    inner join s_population as p
        on p.geography_level = 'la' and p.area_code = w.la_code and p.age_band = w.age_band
    group by all
)
select picked.la_code, picked.period, picked.age_band, cast(p.population as bigint) as population
from picked inner join s_population as p
    on p.geography_level = 'la' and p.area_code = picked.la_code and p.age_band = picked.age_band
    and cast(p.mid_year as integer) = picked.year;

-- every quarterly measure of every file
create temp table file_values as
with applicable as (
    select f.*, i.*
    from files as f
    cross join (select * from indicators where window_quarters = 1) as i
    inner join items on i.numerator_item = items.item_code
    where (items.region_code is null or items.region_code = f.region_code)
        and f.period >= items.first_period and (items.last_period is null or f.period <= items.last_period)
),
denominators as (
    select a.file_path, a.indicator_code, a.measure,
        sum(v.number) as denominator,
        count(*) as parts,
        count(*) filter (where v.status = 'number') as numeric_parts
    from applicable as a
    cross join unnest(string_split(a.denominator_items, '+')) as d (part)
    left join item_values as v on v.file_path = a.file_path and v.item_code = trim(d.part)
    where a.denominator_items is not null
    group by all
),
joined as (
    select a.*, coalesce(n.status, 'not_submitted') as n_status, n.number as numerator,
        d.denominator, d.parts, d.numeric_parts, pop.population
    from applicable as a
    left join item_values as n on n.file_path = a.file_path and n.item_code = a.numerator_item
    left join denominators as d
        on d.file_path = a.file_path and d.indicator_code = a.indicator_code and d.measure = a.measure
    left join populations as pop
        on pop.la_code = a.la_code and pop.period = a.period and pop.age_band = a.age_band
),
statused as (
    select *,
        case
            when n_status = 'blank' then 'not_collected'
            when n_status <> 'number' then n_status
            when measure = 'count' then 'calculated'
            when age_band is not null and population is null then 'no_population'
            when age_band is not null and population = 0 then 'zero_denominator'
            when age_band is not null then 'calculated'
            when numeric_parts < parts then 'denominator_missing'
            when denominator = 0 then 'zero_denominator'
            else 'calculated'
        end as value_status
    from joined
)
select file_path, la_code, period, q, region_code, indicator_code, measure, multiplier, age_band,
    case
        when value_status <> 'calculated' then null
        when measure = 'count' then numerator
        when age_band is not null then numerator * multiplier / population
        else numerator * multiplier / denominator
    end as value,
    value_status, numerator,
    case when age_band is null then denominator end as denominator,
    case when age_band is not null then population end as population
from statused;

-- each view's quarterly figures: the hub's are those of the files in use; every other
-- recipient's (when every view is computed) those of the file the gate names for it
create temp table view_quarterly as
select 'hub' as recipient_id, 'own' as visibility, v.* exclude (file_path)
from file_values as v
where v.file_path in (select file_path from in_use)
union all by name
select g.recipient_id, g.visibility, v.* exclude (file_path)
from gate as g
inner join file_values as v
    on v.file_path = g.file_path and v.indicator_code = g.indicator_code and v.measure = g.measure;

-- 12 months: the quarter and the three before it in the same view (a self-join on the
-- quarter number, each of the four offsets an equality, so a quarter missing from the view
-- is missing, not replaced by an earlier one, and the join stays linear in the history)
create temp table twelve_month as
with bases as (  -- the quarterly figures a 12-month measure adds up
    select * from view_quarterly
    where (indicator_code, measure) in (select indicator_code, base_measure from indicators where window_quarters = 4)
),
sums as (
    select cur.recipient_id, cur.la_code, cur.period, cur.indicator_code, cur.measure as base_measure,
        count(*) filter (where past.value_status = 'calculated') as calculated,
        sum(past.numerator) as numerator_total,
        sum(past.denominator) as denominator_total
    from bases as cur
    cross join (values (0), (1), (2), (3)) as back (quarters)
    inner join bases as past
        on past.recipient_id = cur.recipient_id and past.la_code = cur.la_code
        and past.indicator_code = cur.indicator_code and past.measure = cur.measure
        and past.q = cur.q - back.quarters
    group by all
)
select cur.recipient_id, cur.visibility, cur.la_code, cur.period, cur.q, cur.region_code, i.indicator_code,
    i.measure, i.multiplier, cur.age_band,
    case
        when s.calculated < 4 then null
        when cur.age_band is not null then s.numerator_total * i.multiplier / cur.population
        when s.denominator_total > 0 then s.numerator_total * i.multiplier / s.denominator_total
    end as value,
    case
        when s.calculated < 4 then 'incomplete_year'
        when cur.age_band is null and s.denominator_total = 0 then 'zero_denominator'
        else 'calculated'
    end as value_status,
    case when s.calculated = 4 then s.numerator_total end as numerator,
    case when s.calculated = 4 and cur.age_band is null then s.denominator_total end as denominator,
    cur.population
from view_quarterly as cur
inner join indicators as i
    on i.window_quarters = 4 and i.indicator_code = cur.indicator_code and i.base_measure = cur.measure
inner join sums as s
    on s.recipient_id = cur.recipient_id and s.la_code = cur.la_code and s.period = cur.period
    and s.indicator_code = cur.indicator_code and s.base_measure = cur.measure
-- a region's cross-regional LAs are its comparators only: an incomplete year of theirs,
-- which no comparator pools and no one reports on, is not kept
where cur.visibility <> 'cross_regional' or s.calculated = 4;

create temp table ref_view_values as
select recipient_id, visibility, la_code, period, q, region_code, indicator_code, measure, multiplier, value,
    value_status, numerator, denominator, population,
    case
        when value_status not in ('calculated', 'zero_denominator') then null
        when population is not null then cast(population as double)
        else denominator
    end as base
from (select * exclude (age_band) from view_quarterly union all by name select * exclude (age_band) from twelve_month);

-- comparators: the groups each view needs in each quarter (the regions, neighbours and
-- England of the LAs it reports on), and what the members in the view gave
create temp table population_0_17 as
select la_code, period, population from populations where age_band = '0-17';

create temp table groups as
with subjects as (
    select distinct recipient_id, la_code, period, region_code from ref_view_values
    where visibility <> 'cross_regional'
),
model as (  -- the 2025 model; the 2021 one for LAs that have no 2025 neighbours
    select la_code, max(sn_model) as sn_model from s_neighbours group by la_code
)
select distinct s.recipient_id, l.period, 'region' as comparator_type, l.region_code as comparator_key,
    l.la_code as member
from las_of_period as l
inner join subjects as s on s.period = l.period and s.region_code = l.region_code
union all
select s.recipient_id, s.period, 'statistical_neighbours', s.la_code, n.neighbour_la_code
from subjects as s
inner join model on model.la_code = s.la_code
inner join s_neighbours as n on n.la_code = s.la_code and n.sn_model = model.sn_model
inner join las_of_period as l on l.period = s.period and l.la_code = n.neighbour_la_code
union all
select distinct s.recipient_id, l.period, 'england', 'E92000001', l.la_code
from las_of_period as l
inner join subjects as s on s.period = l.period;

create temp table ref_view_comparators as
with group_size as (
    select g.recipient_id, g.period, g.comparator_type, g.comparator_key, count(*) as member_las,
        sum(p.population) as member_pop
    from groups as g left join population_0_17 as p on p.la_code = g.member and p.period = g.period
    group by all
),
contributions as (
    select g.recipient_id, g.period, g.comparator_type, g.comparator_key, v.indicator_code, v.measure, v.multiplier,
        sum(v.numerator) as numerator_total, sum(v.base) as base_total, count(*) as contributing_las,
        sum(p.population) as contributing_pop
    from groups as g
    inner join ref_view_values as v
        on v.recipient_id = g.recipient_id and v.la_code = g.member and v.period = g.period
        and v.value_status in ('calculated', 'zero_denominator')
    left join population_0_17 as p on p.la_code = g.member and p.period = g.period
    group by all
)
select c.recipient_id, c.comparator_type, c.comparator_key, c.period, c.indicator_code, c.measure,
    case
        when c.measure = 'count' then c.numerator_total
        when c.base_total > 0 then c.numerator_total * c.multiplier / c.base_total
    end as value,
    c.numerator_total,
    case when c.measure <> 'count' then c.base_total end as denominator_total,
    c.contributing_las, s.member_las,
    c.contributing_pop as contributing_population_0_17, s.member_pop as member_population_0_17,
    c.contributing_pop / nullif(s.member_pop, 0) as population_coverage,
    c.contributing_las < $min_members as is_low_coverage
from contributions as c inner join group_size as s using (recipient_id, period, comparator_type, comparator_key);

-- the hub's, as marts.fct_indicator_values and marts.fct_indicator_comparators
create temp table ref_values as
select * exclude (recipient_id, visibility) from ref_view_values where recipient_id = 'hub';

create temp table ref_comparators as
select * exclude (recipient_id) from ref_view_comparators where recipient_id = 'hub';
"""

RANKS_SQL = """
-- each view's figures with a value, ranked (1 = highest; ties share a rank) in its region
-- and in England among the view's LAs with a value, with how many were ranked and the
-- quartile (1 = lowest quarter ... 4 = highest) of its percent rank from the lowest
create temp table ranked as
with valued as (
    select recipient_id, visibility, la_code, period, q, region_code, indicator_code, measure, value
    from ref_view_values where value is not null
),
ranks as (
    select *,
        rank() over (partition by recipient_id, period, indicator_code, measure, region_code order by value desc)
            as rank_in_region,
        count(*) over (partition by recipient_id, period, indicator_code, measure, region_code)
            as las_ranked_in_region,
        percent_rank() over (partition by recipient_id, period, indicator_code, measure, region_code order by value)
            as from_lowest_in_region,
        rank() over (partition by recipient_id, period, indicator_code, measure order by value desc)
            as rank_in_england,
        count(*) over (partition by recipient_id, period, indicator_code, measure) as las_ranked_in_england,
        percent_rank() over (partition by recipient_id, period, indicator_code, measure order by value)
            as from_lowest_in_england
    from valued
)
select * exclude (from_lowest_in_region, from_lowest_in_england),
    case when las_ranked_in_region > 1 then least(4, 1 + floor(4 * from_lowest_in_region)) end
        as quartile_in_region,
    case when las_ranked_in_england > 1 then least(4, 1 + floor(4 * from_lowest_in_england)) end
        as quartile_in_england
from ranks;

-- an LA's rank among itself and those of its neighbours in the view with a value
create temp table neighbour_ranks as
select s.recipient_id, s.la_code, s.period, s.indicator_code, s.measure,
    1 + count(m.value) filter (where m.value > s.value) as rank_among_neighbours,
    1 + count(m.value) as las_ranked_among_neighbours
from ranked as s
left join groups as g
    on g.recipient_id = s.recipient_id and g.period = s.period and g.comparator_type = 'statistical_neighbours'
    and g.comparator_key = s.la_code
left join ranked as m
    on m.recipient_id = s.recipient_id and m.period = s.period and m.indicator_code = s.indicator_code
    and m.measure = s.measure and m.la_code = g.member
where s.visibility <> 'cross_regional'
group by all;

-- each row a view reports on (not the cross-regional LAs a region only compares with), with
-- its ranks, the quartile it moved from and its own figures of the quarter before and of
-- the same quarter a year earlier in the same view
create temp table ref_view_ranks as
select v.recipient_id, v.la_code, v.period, v.indicator_code, v.measure,
    r.rank_in_region, r.las_ranked_in_region, r.quartile_in_region,
    n.rank_among_neighbours, n.las_ranked_among_neighbours,
    r.rank_in_england, r.las_ranked_in_england, r.quartile_in_england,
    before_ranked.quartile_in_england as previous_quartile_in_england,
    before.value as previous_quarter_value,
    year_ago.value as same_quarter_last_year_value
from ref_view_values as v
left join ranked as r using (recipient_id, la_code, period, indicator_code, measure)
left join neighbour_ranks as n using (recipient_id, la_code, period, indicator_code, measure)
left join ref_view_values as before
    on before.recipient_id = v.recipient_id and before.la_code = v.la_code and before.indicator_code = v.indicator_code
    and before.measure = v.measure and before.q = v.q - 1
left join ranked as before_ranked
    on before_ranked.recipient_id = v.recipient_id and before_ranked.la_code = v.la_code
    and before_ranked.indicator_code = v.indicator_code and before_ranked.measure = v.measure
    and before_ranked.q = v.q - 1
left join ref_view_values as year_ago
    on year_ago.recipient_id = v.recipient_id and year_ago.la_code = v.la_code
    and year_ago.indicator_code = v.indicator_code and year_ago.measure = v.measure and year_ago.q = v.q - 4
where v.visibility <> 'cross_regional';
"""
