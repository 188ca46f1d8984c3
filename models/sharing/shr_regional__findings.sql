-- For each region with a regional agreement in force: every guidance-rule finding on the
-- return files of its LAs (every version), as the region's validation reports show them
-- and send back to each LA. The message is the one written for the region
-- (`shared_message`): it quotes no figure from outside the region's view (a P03 finding
-- says the rate lies far outside England's range without quoting England's quartiles,
-- which other regions' unreleased returns shape).
with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
    where output_model = 'shr_regional__indicators'
),

findings as (
    select * from {{ ref('int_validation_findings') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
),

rules as (
    select * from {{ ref('ref_validation_rules') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

final as (
    select
        recipients.recipient_id,
        recipients.region_code,
        findings.la_code,
        findings.period,
        findings.file_path,
        findings.source_file,
        files.is_latest_version,
        findings.line_number,
        findings.item_code,
        findings.value,
        findings.rule_id,
        rules.tier as rule_tier,
        findings.severity,
        findings.shared_message as message,
        rules.what_to_fix
    from findings
    inner join local_authorities on findings.la_code = local_authorities.la_code
    inner join recipients on local_authorities.region_code = recipients.region_code
    left join files on findings.file_path = files.file_path
    left join rules on findings.rule_id = rules.rule_id
)

select * from final
