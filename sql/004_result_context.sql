-- nmsweep schema, migration 4: what a result needs so that it can be read as science.
-- Layout and reasons: docs/schema.md.
--
-- task_domain: 'source' for tasks drawn from the pre-training domain (the source task itself, a
--   coarsening or a corruption of it: they measure robustness of the source task), 'transfer' for
--   tasks on other data (the paper's ID/OOD averages are over transfer tasks). task_kind (id/ood)
--   stays what it was; the two together give the four report groups.
-- classes: the task's number of classes, so chance level (1 / classes) is checkable in SQL.
-- probe_seed: the seed of the downstream split, the probe's initialisation and its batch order;
--   seed stays the seed of the model (pre-training seed, or the feature set's seed in black-box
--   mode). The same probe seed at every noise ratio and for every method makes differences pair.
-- All three are NULL in rows written before this migration; views read a NULL task_domain as
-- 'transfer' and a NULL probe_seed as seed (before, the evaluate seed was the pre-training seed).
ALTER TABLE results
    ADD COLUMN task_domain text CHECK (task_domain IN ('source', 'transfer')),
    ADD COLUMN classes integer CHECK (classes >= 2),
    ADD COLUMN probe_seed bigint;
