SELECT meter, region, region LIKE 'south%' AS l, region ILIKE 'NORTH' AS il, region NOT LIKE '%-%' AS nl FROM bronze.meters
