-- Data to Insight's cross-regional dataset: riia_core at LA level, released quarters
-- only, for regions that agreed cross-regional sharing (London MoU Appendix A; the
-- suggested template text) and LAs not excepted. Used for statistical-neighbour and
-- England comparisons - and the only data the regional outputs' cross-regional
-- comparators are built from (SHARING.md rule 5).
{{ shared_la_dataset('d2i') }}
