// Command etcd is the upstream etcd server (go.etcd.io/etcd/server/v3/etcdmain).
// It lives in its own Go module so that etcd's dependency graph never has to
// agree with the one of k8s.io/kubernetes in the parent module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
