"""Other inputs: NHS Digital ODS data, registers of practices, waivers files."""
