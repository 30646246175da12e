SELECT meter, lenght(meter) FROM bronze.readings
