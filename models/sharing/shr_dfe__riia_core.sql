-- The Department for Education's dataset: the nationally agreed RIIA dataset
-- (riia_core) at LA level, released quarters only, for regions whose agreement with
-- DfE is in force on the as-of date and LAs not excepted (SHARING.md; SE MoU 2-3, 14;
-- EM MoU 6.6; London MoU 2.1 and Appendix A).
{{ shared_la_dataset('dfe') }}
