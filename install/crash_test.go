package install

const childEnv = "TENTACLE_INSTALL_TEST_CHILD"

func child() int { return 0 }
