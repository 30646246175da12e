SELECT i + 1 AS a, i - f AS b, i * 2 AS c, i / 2 AS d, i // 2 AS e, i % 2 AS m, -f AS n, 7 / 0 AS z, 7 % 0 AS zm FROM bronze.nums
