-- One row per return file, guidance rule and finding (line and item where there is
-- one), from the Great Expectations suites in gx/expectations/. Every version of
-- every file is validated; `is_latest_version` tells which findings decide the
-- return's fate. This is the table a regional data lead sends back to an LA.
with findings as (
    select * from {{ ref('int_validation_findings') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

rules as (
    select * from {{ ref('ref_validation_rules') }}
),

final as (
    select
        findings.source_file,
        findings.file_path,
        findings.la_code,
        local_authorities.la_name,
        local_authorities.region_code,
        findings.period,
        cast(findings.line_number as integer) as line_number,
        findings.item_code,
        findings.value,
        findings.rule_id,
        rules.tier as rule_tier,
        findings.severity,
        findings.message,
        rules.what_to_fix,
        coalesce(files.is_latest_version, false) as is_latest_version,
        findings.suite_name,
        findings.expectation_type
    from findings
    left join files on findings.file_path = files.file_path
    left join local_authorities on findings.la_code = local_authorities.la_code
    left join rules on findings.rule_id = rules.rule_id
)

select * from final
