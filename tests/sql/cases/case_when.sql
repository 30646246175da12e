SELECT i, CASE WHEN i IS NULL THEN 'none' WHEN i < 2 THEN 'low' ELSE 'high' END AS c, CASE i WHEN 1 THEN 'one' WHEN 2 THEN 'two' END AS w FROM bronze.nums
