-- One row per line that was not loaded as data (blank or malformed, or every
-- line of a file whose header is unusable) and per file that could not be read at
-- all, with the reason. Together with the loaded data lines and the header lines
-- this accounts for every physical line of every file received.
with lines as (
    select * from {{ ref('stg_la_returns__lines') }}
),

final as (
    select
        file_path,
        source_file,
        cast(line_number as integer) as line_number,
        line_kind as reject_kind,
        coalesce(line_problem, file_problem) as reason,
        raw_line
    from lines
    where line_kind in ('blank', 'malformed', 'file_unreadable')
)

select * from final
