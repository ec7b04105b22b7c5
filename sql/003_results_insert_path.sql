-- nmsweep schema, migration 3: a cheaper insert path for results, with the same guarantees.
-- Layout and reasons: docs/schema.md ("The results insert path").

-- The key format check on results is implied by the cell-existence trigger: every results.cell_key
-- equals some cells.key, and cells checks that key's format. Checking it again per row cost ~2-3 us
-- (length + negated-class regex), a fifth of the whole insert.
ALTER TABLE results DROP CONSTRAINT results_cell_key_check;

-- With the format check gone, an UPDATE of cell_key must not be able to point a result at a cell that
-- does not exist: the same set-wise check now also runs after UPDATE (the store never updates results,
-- so this costs nothing on its path).
CREATE TRIGGER results_cells_exist_after_update AFTER UPDATE ON results REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION results_check_cells();
