SELECT CAST(i AS string) AS s, CAST(f AS int64) AS fi, TRY_CAST(s AS int64) AS si, CAST('2024-03-01' AS date) AS d, f::string AS fs FROM bronze.nums
