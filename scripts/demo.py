print("demo: filled in as the layers land")
