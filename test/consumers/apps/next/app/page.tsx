import { RoomLoader } from './room-loader'

export default function Page() {
  return <RoomLoader />
}
