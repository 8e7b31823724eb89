// Tests of the Operator module: admin client, dashboard rendering, terminal loop and report.
