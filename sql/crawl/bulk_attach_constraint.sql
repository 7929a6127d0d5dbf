-- $1 constraint type ('p' | 'u'), $2 constraint name, $3 index name: the statement that
-- turns a rebuilt unique index back into the constraint it backed.
SELECT format('ALTER TABLE images ADD CONSTRAINT %I %s USING INDEX %I',
              $2::text, CASE WHEN $1::text = 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, $3::text)
