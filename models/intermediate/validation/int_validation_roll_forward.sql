-- Validation input `stock_roll_forward` (rule P01): one row per readable return file with
-- a previous quarter on file and stock item that rolls forward (`ref_items`: CPP_END from
-- CPP_START and CPP_CEASED, CLA_END from CLA_START and CLA_CEASED), with how far the
-- closing stock lies from last quarter's plus starts minus ceased beyond the tolerance
-- (`ref_rule_parameters`: a percentage of last quarter's stock, or a number of children,
-- whichever is more). Empty excess when a figure is not a number.
with returns as (
    select * from {{ ref('int_validation_comparable_returns') }}
    where previous_file_path is not null
),

item_lines as (
    select * from {{ ref('int_validation_item_lines') }}
),

stocks as (
    select * from {{ ref('ref_items') }}
    where roll_forward_start_item is not null
),

tolerance as (
    select
        max(value) filter (where parameter = 'tolerance_percent') as tolerance_percent,
        max(value) filter (where parameter = 'tolerance_minimum') as tolerance_minimum
    from {{ ref('ref_rule_parameters') }}
    where rule_id = 'P01'
),

figures as (
    select
        returns.file_path,
        stocks.item_code,
        stocks.roll_forward_start_item as start_item,
        stocks.roll_forward_ceased_item as ceased_item,
        closing.number as closing_stock,
        previous.number as previous_closing_stock,
        start_line.number as started,
        ceased_line.number as ceased,
        previous.number + start_line.number - ceased_line.number as expected_closing_stock,
        greatest(previous.number * tolerance.tolerance_percent / 100, tolerance.tolerance_minimum) as tolerance,
        returns.previous_file_path
    from returns
    cross join stocks
    cross join tolerance
    left join item_lines as closing
        on returns.file_path = closing.file_path and stocks.item_code = closing.item_code
    left join item_lines as start_line
        on returns.file_path = start_line.file_path and stocks.roll_forward_start_item = start_line.item_code
    left join item_lines as ceased_line
        on returns.file_path = ceased_line.file_path and stocks.roll_forward_ceased_item = ceased_line.item_code
    left join item_lines as previous
        on returns.previous_file_path = previous.file_path and stocks.item_code = previous.item_code
),

final as (
    select
        file_path,
        item_code,
        start_item,
        ceased_item,
        closing_stock,
        previous_closing_stock,
        started,
        ceased,
        expected_closing_stock,
        printf('%+.0f', closing_stock - expected_closing_stock) as difference,
        tolerance,
        -- rounded so that a difference exactly on the tolerance is not lost to binary
        -- floating point
        round(abs(closing_stock - expected_closing_stock) - tolerance, 9) as roll_forward_excess,
        previous_file_path
    from figures
)

select * from final
