-- One row per return file the validation suites read in this build, and why:
--   validate : the file is re-checked and its findings replaced. These are the files of
--              every quarter this build recomputes (int_build_scope: the quarters whose
--              files, reference data or rules changed, and the seven after, which include
--              the quarter whose P01 and P02 compare with a changed one), and the files
--              whose names give no quarter of the calendar, which are in no build's scope
--              (off_calendar_condition: their findings are about the name, or rule T03's).
--   context  : a file of the quarter before a validated quarter, read for P01 and P02 only.
-- On a full build every quarter is in scope, so every file is validated; on a build where
-- nothing changed, only the files of no quarter of the calendar are.
with files as (
    select * from {{ ref('int_return_files_versioned') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

validated_periods as (
    select period from {{ ref('int_build_scope') }}
),

context_periods as (
    select periods.previous_period as period
    from periods
    inner join validated_periods on periods.period = validated_periods.period
),

final as (
    select
        file_path,
        file_name_period as period,
        case
            when
                {{ off_calendar_condition('file_name_period') }}
                or file_name_period in (select validated_periods.period from validated_periods)
                then 'validate'
            else 'context'
        end as scope_role
    from files
    where
        {{ off_calendar_condition('file_name_period') }}
        or file_name_period in (select validated_periods.period from validated_periods)
        or file_name_period in (select context_periods.period from context_periods)
)

select * from final
