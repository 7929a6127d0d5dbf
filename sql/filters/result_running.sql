-- Result $1 is being (re)computed.
UPDATE filter_results SET state = 'running', updated_at = now() WHERE name = $1;
