package split

func (s *S) SettingsVersion() int { return 1 }

func (s *S) OnSettingsMigrate(target, current int) error { return nil }
