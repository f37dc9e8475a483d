import { PrebuiltRoomLoader } from '../room-loader'

export default function Page() {
  return <PrebuiltRoomLoader />
}
