// The sandbox ("pause") container of the e2e node's pods: it holds the pod's namespaces open,
// reaps the zombies of a shared PID namespace and exits on SIGINT/SIGTERM. Built by e2e/setup.sh
// (step node) and packed as the image containerd's CRI plugin uses as sandbox_image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		os.Stdout.WriteString("spark-platform e2e pause\n")
		return
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
