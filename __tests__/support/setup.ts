// The second setup file of every test file (jest.config.js): scratch directories made with
// tempDir() are removed after the file's last test.
import { afterAll } from '@jest/globals'
import { removeTempDirs } from './temp.js'

afterAll(removeTempDirs)
