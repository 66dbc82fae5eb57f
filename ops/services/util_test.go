package services_test

import "os"

func getenvPath() string { return os.Getenv("PATH") }
