module spark-platform.local/e2e/pause

go 1.24
