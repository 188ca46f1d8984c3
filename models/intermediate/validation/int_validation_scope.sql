-- One row per return file the validation suites read in this build, and why:
--   validate : the file is re-checked and its findings replaced. These are the files of
--              every quarter that received a new or changed file in this build (the
--              latest batch parsed by stg_la_returns__lines), because P03 compares each
--              return with England that quarter; and of the quarter after, because P01 and
--              P02 compare each return with the LA's previous quarter. Files whose names
--              give no quarter are re-checked when they are new.
--   context  : a file of the quarter before a validated quarter, read for P01 and P02 only.
-- After a full build every file was parsed in the latest batch, so every file is validated.
with lines as (
    select * from {{ ref('stg_la_returns__lines') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

latest_batch as (
    select max(loaded_at) as loaded_at
    from lines
),

new_files as (
    select distinct
        lines.file_path,
        lines.file_name_period
    from lines
    inner join latest_batch on lines.loaded_at = latest_batch.loaded_at
),

validated_periods as (
    select file_name_period as period
    from new_files
    where file_name_period is not null
    union
    select periods.period
    from periods
    inner join new_files on periods.previous_period = new_files.file_name_period
),

context_periods as (
    select periods.previous_period as period
    from periods
    inner join validated_periods on periods.period = validated_periods.period
),

final as (
    select
        files.file_path,
        files.file_name_period as period,
        case
            when
                files.file_name_period in (select validated_periods.period from validated_periods)
                or files.file_path in (select new_files.file_path from new_files)
                then 'validate'
            else 'context'
        end as scope_role
    from files
    where
        files.file_name_period in (select validated_periods.period from validated_periods)
        or files.file_name_period in (select context_periods.period from context_periods)
        or files.file_path in (select new_files.file_path from new_files)
)

select * from final
